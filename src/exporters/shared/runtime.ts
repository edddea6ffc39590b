// Which language runtime produced a profile, from the OTel resource attributes
// (`process.runtime.name`, then `telemetry.sdk.language`). Backends tailor their display to
// it: Datadog's `family`, Pyroscope's `spyName`.

export type RuntimeFamily = 'node' | 'go' | 'java' | 'python' | 'ruby' | 'dotnet' | 'php' | 'native';

/** process.runtime.name values (lowercased) of the OTel SDKs and semantic conventions. */
const BY_RUNTIME: [RegExp, RuntimeFamily][] = [
  [/^(nodejs|node|bun|deno)$/, 'node'],
  [/^(go|gc|gccgo)$/, 'go'],
  [/(openjdk|java|jdk|jvm|hotspot|graalvm)/, 'java'],
  [/^(cpython|pypy|python|ironpython|jython)$/, 'python'],
  [/^(ruby|jruby|truffleruby)$/, 'ruby'],
  [/(\.net|dotnet|clr|mono)/, 'dotnet'],
  [/^php/, 'php'],
];

/** telemetry.sdk.language values of the OTel SDKs. */
const BY_LANGUAGE: Record<string, RuntimeFamily> = {
  nodejs: 'node',
  webjs: 'node',
  go: 'go',
  java: 'java',
  python: 'python',
  ruby: 'ruby',
  dotnet: 'dotnet',
  php: 'php',
  cpp: 'native',
  rust: 'native',
  swift: 'native',
  native: 'native',
};

/**
 * The runtime family of a series, or 'native' when nothing says otherwise: profiles with
 * no language runtime named come from whole-system profilers (eBPF), whose stacks are
 * native frames.
 */
export function runtimeFamily(seriesLabels: Record<string, string>): RuntimeFamily {
  const runtime = seriesLabels['process.runtime.name']?.trim().toLowerCase();
  if (runtime) {
    for (const [re, family] of BY_RUNTIME) if (re.test(runtime)) return family;
  }
  const language = seriesLabels['telemetry.sdk.language']?.trim().toLowerCase();
  if (language && BY_LANGUAGE[language]) return BY_LANGUAGE[language]!;
  return 'native';
}
