/** What the simulator's Google Workspace part offers specs, e2e tests and scripts. */
export { GoogleTenantStore, GoogleTenant, type GoogleTokenEvent } from './google-tenant.store';
export {
  compliantGoogleTenant,
  googleServiceAccountKey,
  COMPLIANT_GOOGLE_IDS,
  COMPLIANT_GOOGLE_SETTINGS,
  SIGN_IN_SCOPES,
} from './google-tenant.fixtures';
export { GOOGLE_DELEGATED_SCOPES } from './google-api.handler';
export type {
  GoogleTenantSpec,
  GoogleTenantData,
  GooglePolicy,
  GoogleUser,
  GoogleUserToken,
  GoogleRateLimitSettings,
} from './google-tenant.schema';
