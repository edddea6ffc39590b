// Backend messages end up in log lines and metric-free error text: keep them one line and
// short, whatever the backend sent (HTML error pages, stack traces, binary junk).

export const MAX_MESSAGE_CHARS = 512;

export function clipText(text: string, max = MAX_MESSAGE_CHARS): string {
  const oneLine = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
