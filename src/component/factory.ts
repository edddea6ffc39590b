// Component factories in the collector's style: every receiver, processor, exporter and
// extension is a factory with a config schema (zod, which supplies defaults) and a create
// step. The service builds the pipeline graph from these; see src/components.ts for
// the list of known types.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Component, ProfilesConsumer, TracesConsumer } from './consumer.js';

export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'extension';

export interface ComponentContext {
  /** The component id as written in the config, e.g. `otlp` or `file/archive`. */
  id: string;
  logger: Logger;
  /** The bridge's Prometheus registry; metric names start with `otel_profile_bridge_`. */
  metrics: Registry;
  /** Looks up another built component by id (e.g. the API finding the store exporter). */
  lookup(kind: ComponentKind, id: string): unknown;
  /**
   * The environment the config was loaded with, for defaults that come from a variable (the
   * datadog exporter's `DD_API_KEY`). Components read variables only here, never from
   * `process.env`, so the loader's env is the one source. Absent: no variables.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** The bridge's worker threads (`service.workers`), absent when configured to 0. */
  workers?: WorkerThreads;
}

export interface Factory<C, T> {
  /** The type part of a component id (`file` in `file/archive`). */
  type: string;
  /** Validates the user's config and fills in defaults. Messages name the key. */
  configSchema: z.ZodType<C>;
  create(config: C, ctx: ComponentContext): T;
}

/** Consumers the receivers feed, one per signal (absent = that signal is not enabled). */
export interface ReceiverSinks {
  traces?: TracesConsumer;
  profiles?: ProfilesConsumer;
}

export interface Receiver extends Component {
  /** Starts listening; sinks are fixed at start. Returns the addresses actually bound. */
  start(): Promise<void>;
  /** Bound endpoints, after start (e.g. `{ grpc: '127.0.0.1:4317', http: '127.0.0.1:4318' }`). */
  endpoints(): Record<string, string>;
}

export interface ReceiverFactory<C = unknown> {
  type: string;
  configSchema: z.ZodType<C>;
  create(config: C, ctx: ComponentContext, sinks: ReceiverSinks): Receiver;
}

/**
 * One processor instance per id, shared by every pipeline that lists it (so the join
 * processor sees traces from the traces pipeline and profiles from the profiles pipeline).
 */
export interface Processor extends Component {
  wrapTraces?(next: TracesConsumer): TracesConsumer;
  wrapProfiles?(next: ProfilesConsumer): ProfilesConsumer;
}

/** An exporter consumes the signals it supports; the service checks pipelines against them. */
export interface Exporter extends Component, Partial<TracesConsumer>, Partial<ProfilesConsumer> {}

/** Extensions run beside pipelines (the API server, health). */
export interface Extension extends Component {
  start(): Promise<void>;
  endpoints?(): Record<string, string>;
}

export type ProcessorFactory<C = unknown> = Factory<C, Processor>;
export type ExporterFactory<C = unknown> = Factory<C, Exporter>;
export type ExtensionFactory<C = unknown> = Factory<C, Extension>;

/**
 * The bridge's worker threads as the contracts see them: something that runs a named task off
 * the main thread. The pool and its typed tasks live in src/workers/ (`workerPoolOf` narrows
 * this back to them), so the contracts don't depend on the implementation.
 */
export interface WorkerThreads {
  run(task: string, input: object, transfer?: ArrayBuffer[], order?: string): Promise<unknown>;
}
