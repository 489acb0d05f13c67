export { M365TenantStore, M365Tenant } from './m365-tenant.store';
export { compliantM365Tenant, COMPLIANT_M365_IDS, GRAPH_APP_ROLES } from './m365-tenant.fixtures';
export { M365_OPERATIONS, type M365Operation } from './m365-api.handler';
export type {
  M365TenantSpec,
  M365TenantData,
  M365ServicePrincipal,
  M365DelegatedGrantInput,
  M365AppRoleAssignmentInput,
  M365RateLimitSettings,
} from './m365-tenant.schema';
