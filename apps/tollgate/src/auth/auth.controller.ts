import { BadRequestException, Controller, Get, Header, HttpCode, NotFoundException, Post, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSchema, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { TollgateConfig } from '@tollgate/config';
import { AuditLog, Public, READERS, RequireRoles, ROLES, SessionService, readCookie, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiErrors } from '../common/api-errors';
import { OidcClient } from './oidc-client';

/** The browser's sign-in under way; only sent back to the callback. */
const LOGIN_COOKIE = 'tollgate-login';

@ApiSchema({ description: 'Who is calling: a signed-in person (session) or an API key.' })
export class WhoAmI {
  @ApiProperty({ description: 'How the caller authenticated: a signed-in person (session cookie) or an API key.', enum: ['session', 'api-key'] })
  via: 'session' | 'api-key';

  @ApiProperty({ description: 'The principal: four-eyes rules, audit events and the ledger name it.', example: 'alice@example.com' })
  principal: string;

  @ApiProperty({ description: 'Display name.' })
  name: string;

  @ApiProperty({ description: "The caller's role: what it may do.", enum: ROLES })
  role: string;

  @ApiProperty({ description: 'The key id audit events and ledger entries record: `session:<8 hex>` for a session.', example: 'session:1f2e3d4c' })
  keyId: string;

  @ApiProperty({
    description: "The connections the caller is limited to (the key's, or for a person what TOLLGATE_OIDC_ROLE_MAPPING granted); null: all.",
    type: [String],
    format: 'uuid',
    nullable: true,
  })
  connectionIds: string[] | null;

  @ApiPropertyOptional({ description: 'Session only: send it as X-CSRF-Token on every POST/PATCH/PUT/DELETE.' })
  csrfToken?: string;

  @ApiPropertyOptional({ description: 'Session only: when it ends at the latest (absolute timeout).', format: 'date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ description: 'Session only: when it ends if unused (idle timeout).', format: 'date-time' })
  idleExpiresAt?: string;
}

@ApiSchema({ description: 'The session has ended.' })
export class LoggedOut {
  @ApiProperty({ description: 'Always true: the session no longer exists on the server.', example: true })
  loggedOut: boolean;

  @ApiPropertyOptional({ description: "The identity provider's logout URL (RP-initiated logout); send the browser there to end the sign-in at the provider too." })
  endSessionUrl?: string;
}

/**
 * Sign-in for people through the organisation's identity provider (OpenID Connect). Outside
 * /api/v1: these are browser navigations, not API calls. 404 while no provider is configured.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly config: TollgateConfig,
    private readonly oidc: OidcClient,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
  ) {}

  @Get('login')
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Start signing in',
    description:
      'Redirects to the identity provider (authorization code flow, PKCE S256, state and nonce) and sets a short-lived login cookie ' +
      'for the callback. No API key needed.',
    security: [],
  })
  @ApiFoundResponse({ description: "To the identity provider's authorization endpoint." })
  @ApiErrors([404, 'No identity provider is configured.'], [503, 'The identity provider does not answer.'], 429)
  async login(@Res() res: Response) {
    this.requireOidc();
    const { url, login } = await this.oidc.authorizationRequest();
    const key = await this.sessions.beginLogin(login);
    res.cookie(LOGIN_COOKIE, key, { ...this.cookieBase(), path: '/auth/callback', maxAge: 600_000 });
    res.redirect(302, url);
  }

  @Get('callback')
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Finish signing in',
    description:
      "Where the identity provider sends the browser back. Checks state, PKCE, and the ID token (signature, issuer, audience, expiry, nonce), maps the person's " +
      'groups to a role, starts a new session (any earlier one of this browser is ended) and redirects to `/`. No API key needed.',
    security: [],
  })
  @ApiFoundResponse({ description: 'Signed in: to `/`, with the session cookie.' })
  @ApiErrors(
    [400, 'No sign-in under way in this browser (missing or expired login cookie), or the provider answered with an error.'],
    [403, 'Refused: state, nonce, PKCE or the ID token did not check out, or the person is in no mapped group. No session is started.'],
    [404, 'No identity provider is configured.'],
    [503, 'The identity provider does not answer.'],
    429,
  )
  async callback(@Req() req: Request, @Res() res: Response) {
    this.requireOidc();
    const loginKey = readCookie(req, LOGIN_COOKIE);
    const login = loginKey ? await this.sessions.consumeLogin(loginKey) : null;
    res.clearCookie(LOGIN_COOKIE, { ...this.cookieBase(), path: '/auth/callback' });
    if (!login) throw new BadRequestException('no sign-in under way in this browser, or it took longer than 10 minutes: start again at /auth/login');
    if (typeof req.query.error === 'string') {
      throw new BadRequestException(`the identity provider refused the sign-in: ${req.query.error.slice(0, 100)}`);
    }
    const person = await this.oidc.signIn(new URL(req.originalUrl, this.oidc.redirectUrl), login);
    // A new session id at every sign-in (no fixation): the browser's earlier session, if any, ends.
    const previous = readCookie(req, this.sessions.cookieName);
    if (previous) await this.sessions.end(previous);
    const { token, session } = await this.sessions.create(person);
    await this.audit.record({ principal: session.principal, action: 'GET /auth/callback', target: null, outcome: 'success', status: 302, requestId: null });
    res.cookie(this.sessions.cookieName, token, { ...this.cookieBase(), path: '/', maxAge: this.config.TOLLGATE_SESSION_ABSOLUTE_HOURS * 3_600_000 });
    res.redirect(302, '/');
  }

  @Post('logout')
  @HttpCode(200)
  @RequireRoles(...READERS)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Sign out',
    description:
      'Ends the session on the server at once and clears the cookie. Needs X-CSRF-Token. When the identity provider advertises ' +
      '`end_session_endpoint`, the answer carries its URL for the browser to visit (RP-initiated logout). Any role.',
  })
  @ApiOkResponse({ description: 'Signed out.', type: LoggedOut })
  @ApiErrors([400, 'Called with an API key: keys are revoked with DELETE /api/v1/api-keys/{id}.'], 401, [403, 'Missing or wrong X-CSRF-Token, or another Origin.'], 429)
  async logout(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<LoggedOut> {
    const token = req.session ? readCookie(req, this.sessions.cookieName) : undefined;
    if (!token) throw new BadRequestException('only a signed-in session can sign out; API keys are revoked with DELETE /api/v1/api-keys/{id}');
    const ended = await this.sessions.end(token);
    res.clearCookie(this.sessions.cookieName, { ...this.cookieBase(), path: '/' });
    const endSessionUrl = await this.oidc.endSessionUrl(ended?.idToken ?? null).catch(() => undefined);
    return endSessionUrl ? { loggedOut: true, endSessionUrl } : { loggedOut: true };
  }

  @Get('session')
  @RequireRoles(...READERS)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Who am I',
    description:
      'The caller: principal, name, role and the connections it is limited to; for a session also its CSRF token and when it ends. ' +
      'Any role, with a session or an API key.',
  })
  @ApiOkResponse({ description: 'The caller.', type: WhoAmI })
  @ApiErrors([401, 'No valid API key and no live session (signed out, or idle or absolute timeout reached).'], [403, 'Not for a valid caller: every role may ask.'], 429)
  whoAmI(@Req() req: AuthenticatedRequest): WhoAmI {
    const p = req.principal!;
    const base = { principal: p.principalId, name: p.name, role: p.role, keyId: p.keyId, connectionIds: p.connectionIds ?? null };
    if (!req.session) return { via: 'api-key', ...base };
    return {
      via: 'session',
      ...base,
      csrfToken: req.session.csrfToken,
      expiresAt: req.session.expiresAt.toISOString(),
      idleExpiresAt: req.session.idleExpiresAt.toISOString(),
    };
  }

  private requireOidc(): void {
    if (!this.config.oidcEnabled) throw new NotFoundException('sign-in for people is not configured (TOLLGATE_OIDC_ISSUER)');
  }

  private cookieBase() {
    return { httpOnly: true, secure: this.config.sessionCookieSecure, sameSite: 'lax' as const };
  }
}
