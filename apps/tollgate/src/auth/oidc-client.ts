import { ForbiddenException, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { grantFor, TollgateConfig } from '@tollgate/config';
import { importEsm, type PendingLogin, type SignedInPerson } from '@tollgate/auth';
import type * as OpenIdClient from 'openid-client';

type Lib = typeof OpenIdClient;

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/**
 * The relying party: authorization code flow with PKCE (S256), state and nonce, through
 * openid-client 6 (ES modules only, hence the dynamic import). The identity provider's metadata
 * is discovered on first use and kept; a failed discovery is retried on the next sign-in.
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger('OidcClient');
  private configuration?: Promise<{ lib: Lib; config: OpenIdClient.Configuration }>;

  constructor(private readonly config: TollgateConfig) {}

  get redirectUrl(): string {
    return new URL('/auth/callback', this.config.TOLLGATE_PUBLIC_URL).href;
  }

  get publicOrigin(): string {
    return new URL(this.config.TOLLGATE_PUBLIC_URL!).origin;
  }

  /** Where to send the browser, and what the callback must find again. */
  async authorizationRequest(): Promise<{ url: string; login: PendingLogin }> {
    const { lib, config } = await this.discovered();
    const login = { state: lib.randomState(), nonce: lib.randomNonce(), codeVerifier: lib.randomPKCECodeVerifier() };
    const url = lib.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUrl,
      scope: this.config.TOLLGATE_OIDC_SCOPES,
      response_type: 'code',
      state: login.state,
      nonce: login.nonce,
      code_challenge: await lib.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, login };
  }

  /**
   * Redeems the code (the library checks state, issuer, PKCE, and the ID token's signature, audience,
   * expiry and nonce) and maps the person to a role and scope. 403 when the answer is refused or no group maps.
   */
  async signIn(callbackUrl: URL, login: PendingLogin): Promise<SignedInPerson> {
    const { lib, config } = await this.discovered();
    let tokens: Awaited<ReturnType<Lib['authorizationCodeGrant']>>;
    try {
      tokens = await lib.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      // openid-client wraps oauth4webapi's error, whose message names what did not check out (the
      // state, the nonce, the issuer...); expected and actual values stay out of the answer.
      const cause = (err as { cause?: unknown }).cause;
      const reason = `${(err as Error).message}${cause instanceof Error && cause.message !== (err as Error).message ? `: ${cause.message}` : ''}`;
      this.logger.warn({ message: 'sign-in refused', reason });
      throw new ForbiddenException(`sign-in refused: ${reason}`);
    }
    let claims: Record<string, unknown> = { ...tokens.claims()! };
    const wanted = [this.config.TOLLGATE_OIDC_GROUPS_CLAIM, this.config.TOLLGATE_OIDC_PRINCIPAL_CLAIM];
    // Some providers keep groups or email out of the ID token; the userinfo endpoint has them.
    if (wanted.some((claim) => claims[claim] === undefined) && config.serverMetadata().userinfo_endpoint) {
      const userinfo = await lib.fetchUserInfo(config, tokens.access_token, claims.sub as string);
      claims = { ...userinfo, ...claims };
    }
    return this.person(claims, tokens.id_token);
  }

  /** The provider's RP-initiated logout URL, when it advertises end_session_endpoint. */
  async endSessionUrl(idToken: string | null): Promise<string | undefined> {
    const { lib, config } = await this.discovered();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = { post_logout_redirect_uri: new URL('/', this.publicOrigin).href, client_id: this.config.TOLLGATE_OIDC_CLIENT_ID! };
    if (idToken) params.id_token_hint = idToken;
    return lib.buildEndSessionUrl(config, params).href;
  }

  private person(claims: Record<string, unknown>, idToken: string | undefined): SignedInPerson {
    const principalClaim = this.config.TOLLGATE_OIDC_PRINCIPAL_CLAIM;
    const raw = claims[principalClaim];
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new ForbiddenException(`sign-in refused: the identity provider gave no ${principalClaim} claim to name the person by`);
    }
    if (principalClaim === 'email' && claims.email_verified === false) {
      throw new ForbiddenException('sign-in refused: the identity provider says this email address is not verified');
    }
    const principal = principalClaim === 'email' ? raw.trim().toLowerCase() : raw.trim();
    const groups = claims[this.config.TOLLGATE_OIDC_GROUPS_CLAIM];
    const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : typeof groups === 'string' ? [groups] : [];
    const grant = grantFor(this.config.oidcRoleMapping, list);
    if (!grant) {
      this.logger.warn({ message: 'sign-in refused: no mapped group', principal });
      throw new ForbiddenException(`sign-in refused: ${principal} is in no group that grants a Tollgate role`);
    }
    const name = typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim() : principal;
    return { principal, name, ...grant, issuer: claims.iss as string, subject: claims.sub as string, idToken };
  }

  private discovered(): Promise<{ lib: Lib; config: OpenIdClient.Configuration }> {
    this.configuration ??= this.discover().catch((err: Error) => {
      this.configuration = undefined;
      this.logger.error({ message: 'identity provider discovery failed', issuer: this.config.TOLLGATE_OIDC_ISSUER, error: err.message });
      throw new ServiceUnavailableException('the identity provider does not answer; try again later');
    });
    return this.configuration;
  }

  private async discover(): Promise<{ lib: Lib; config: OpenIdClient.Configuration }> {
    const lib = await importEsm<Lib>('openid-client');
    const issuer = new URL(this.config.TOLLGATE_OIDC_ISSUER!);
    const secret = this.config.TOLLGATE_OIDC_CLIENT_SECRET;
    const config = await lib.discovery(
      issuer,
      this.config.TOLLGATE_OIDC_CLIENT_ID!,
      secret,
      secret ? lib.ClientSecretBasic(secret) : lib.None(),
      // Plain http is accepted for a loopback issuer only (the demo); configuration refuses it elsewhere.
      { execute: isLoopback(issuer) && issuer.protocol === 'http:' ? [lib.allowInsecureRequests] : [], timeout: 10 },
    );
    return { lib, config };
  }
}
