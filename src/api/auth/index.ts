// Authentication of the API, UI data and /metrics.
export { apiAuthConfigSchema, type ApiAuthConfig, MIN_TOKEN_LENGTH } from './config.js';
export { Authenticator, REALM, type AuthDecision, type Resource } from './authenticator.js';
export { parseAuthorization, type Presented } from './credentials.js';
export { redactedUrl } from './redact.js';
export { authorize, resourceOf, UI_MARK } from './gate.js';
