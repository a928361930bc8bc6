import { Client, type CombinedError, fetchExchange } from '@urql/core';
import { ClientError } from '../app/model.js';
import type { TokenKeeper } from './auth.js';
import { isNetworkError, isSignedOutError, NETWORK, networkError, RETRY_AFTER_REFRESH } from './errors.js';

export type ApiOptions = {
  baseUrl: string;
  fetch: typeof fetch;
  tokens: TokenKeeper;
  /** Told after every request whether the server answered (false: offline, DNS, 5xx). */
  onReachable: (reachable: boolean) => void;
  /** Told when an answer says this device is signed out for good (revoked, refresh refused). */
  onSignedOut: (error: ClientError) => void;
};

/**
 * GraphQL over HTTP through urql. Every authenticated request carries a fresh access token;
 * on UNAUTHENTICATED or TOKEN_EXPIRED it refreshes and retries once. Rejects with ClientError:
 * NETWORK when there was no usable answer, else the API's `extensions.code` and message.
 */
export class Api {
  private readonly client: Client;

  constructor(private readonly options: ApiOptions) {
    this.client = new Client({
      url: `${options.baseUrl}/graphql`,
      exchanges: [fetchExchange],
      fetch: options.fetch,
      requestPolicy: 'network-only',
      preferGetMethod: false,
      fetchOptions: { credentials: 'same-origin' },
    });
  }

  /** Runs `query` (a query or mutation) signed in; `anonymous` skips the token (sign in, sign up). */
  async run<T = any>(query: string, variables: Record<string, unknown> = {}, anonymous = false): Promise<T> {
    try {
      const result = anonymous ? await this.once<T>(query, variables) : await this.authenticated<T>(query, variables);
      this.options.onReachable(true);
      return result;
    } catch (e) {
      if (isNetworkError(e)) this.options.onReachable(false);
      else this.options.onReachable(true);
      if (isSignedOutError(e)) this.options.onSignedOut(e as ClientError);
      throw e;
    }
  }

  private async authenticated<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const token = await this.options.tokens.fresh();
    try {
      return await this.once<T>(query, variables, token);
    } catch (e) {
      if (!(e instanceof ClientError) || !RETRY_AFTER_REFRESH.has(e.code)) throw e;
      return this.once<T>(query, variables, await this.options.tokens.refresh(token));
    }
  }

  private async once<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const context = { fetchOptions: { credentials: 'same-origin' as const, headers } };
    const op = query.trimStart().startsWith('mutation')
      ? this.client.mutation(query, variables, context)
      : this.client.query(query, variables, context);
    const result = await op.toPromise();
    if (result.error) throw toClientError(result.error);
    if (!result.data) throw networkError('Mailboat sent an empty answer');
    return result.data as T;
  }
}

function toClientError(error: CombinedError): ClientError {
  const status = (error.response as Response | undefined)?.status;
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return new ClientError(code, first?.message ?? code);
  if (error.networkError || (status !== undefined && status >= 500) || code === 'INTERNAL_SERVER_ERROR') {
    return new ClientError(NETWORK, first?.message ?? error.networkError?.message ?? 'No connection to Mailboat');
  }
  return new ClientError('UNKNOWN', first?.message ?? error.message);
}
