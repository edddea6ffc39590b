// The public library API of otel-profile-bridge, picked by hand. Deep imports are not part
// of the contract; everything a user embeds the bridge with is exported here. The in-process
// profiler for Node.js apps lives at the `otel-profile-bridge/sdk` subpath.

// Running a bridge from code.
export { Bridge, type BridgeOptions } from './service/bridge.js';
export { defaultFactories, type FactoryRegistry } from './components.js';
export type {
  ComponentContext,
  Exporter,
  ExporterFactory,
  Extension,
  ExtensionFactory,
  Processor,
  ProcessorFactory,
  Receiver,
  ReceiverFactory,
  ReceiverSinks,
} from './component/factory.js';
export type { ConsumeResult, ProfilesConsumer, TracesConsumer } from './component/consumer.js';

// Configuration.
export { loadConfigFile, parseConfigText } from './config/load.js';
export { DEFAULT_CONFIG_YAML, DEFAULT_API_PORT } from './config/default-config.js';
export type { BridgeConfig } from './config/schema.js';

// OTLP wire format: model, codec, validation, builders.
export * as otlp from './otlp/index.js';
export { DictionaryBuilder, makeProfile, makeSample, makeSpan, makeResource, makeScope, makeProfilesRequest } from './otlp/build.js';

// pprof conversion.
export { convertProfilesRequest, encodePprof, encodePprofGzip, type ConvertedProfile } from './pprof/index.js';

// Span join.
export { linkProfiles, type SpanLookup } from './join/linker.js';
export { InMemorySpanIndex, type SpanContext, type SpanIndex } from './join/span-index.js';
export { SPAN_NAME_ATTR, LOCAL_ROOT_SPAN_ID_ATTR, TRACE_ENDPOINT_ATTR } from './join/attributes.js';

// Errors with stable codes.
export { BridgeError, ConfigError, ConsumerError, DecodeError, InvalidDataError, BodyTooLargeError, ConvertError, type ErrorCode } from './errors.js';
