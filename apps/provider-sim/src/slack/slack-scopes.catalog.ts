/**
 * Scopes the simulator can grant to apps. Slack flags some scopes as sensitive in app management
 * (they read content, email addresses or act as the user); the flag here mirrors that so the
 * connector's `sensitiveScopes` can be exercised end to end.
 */
export interface SlackScopeInfo {
  name: string;
  is_sensitive: boolean;
  token_type: 'bot' | 'user';
  description: string;
}

const CATALOG: readonly SlackScopeInfo[] = [
  { name: 'app_mentions:read', is_sensitive: false, token_type: 'bot', description: 'View messages that directly mention the app' },
  { name: 'channels:read', is_sensitive: false, token_type: 'bot', description: 'View basic information about public channels' },
  { name: 'chat:write', is_sensitive: false, token_type: 'bot', description: 'Send messages as the app' },
  { name: 'commands', is_sensitive: false, token_type: 'bot', description: 'Add shortcuts and slash commands' },
  { name: 'emoji:read', is_sensitive: false, token_type: 'bot', description: 'View custom emoji' },
  { name: 'incoming-webhook', is_sensitive: false, token_type: 'bot', description: 'Post messages to specific channels' },
  { name: 'links:read', is_sensitive: false, token_type: 'bot', description: 'View URLs in messages' },
  { name: 'reactions:read', is_sensitive: false, token_type: 'bot', description: 'View emoji reactions' },
  { name: 'team:read', is_sensitive: false, token_type: 'bot', description: 'View the name, domain and icon of the workspace' },
  { name: 'users:read', is_sensitive: false, token_type: 'bot', description: 'View people in the workspace' },
  { name: 'channels:history', is_sensitive: true, token_type: 'bot', description: 'View messages in public channels' },
  { name: 'groups:history', is_sensitive: true, token_type: 'bot', description: 'View messages in private channels' },
  { name: 'im:history', is_sensitive: true, token_type: 'bot', description: 'View messages in direct messages' },
  { name: 'mpim:history', is_sensitive: true, token_type: 'bot', description: 'View messages in group direct messages' },
  { name: 'files:read', is_sensitive: true, token_type: 'bot', description: 'View files shared in conversations' },
  { name: 'files:write', is_sensitive: true, token_type: 'bot', description: 'Upload, edit and delete files' },
  { name: 'users:read.email', is_sensitive: true, token_type: 'bot', description: 'View email addresses of people' },
  { name: 'search:read', is_sensitive: true, token_type: 'user', description: 'Search the workspace content' },
  { name: 'chat:write:user', is_sensitive: true, token_type: 'user', description: 'Send messages on the user\'s behalf' },
  { name: 'admin', is_sensitive: true, token_type: 'user', description: 'Administer the workspace' },
];

const BY_NAME = new Map(CATALOG.map((s) => [s.name, s]));

export function slackScopeInfo(name: string): SlackScopeInfo {
  // Unknown names are still grantable; treating admin-ish scopes as sensitive errs on the safe side.
  return BY_NAME.get(name) ?? { name, is_sensitive: name.startsWith('admin'), token_type: 'bot', description: name };
}

export function grantableSlackScopes(): readonly SlackScopeInfo[] {
  return CATALOG;
}
