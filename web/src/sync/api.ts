import { ErrorCode } from '@mailboat/schema';
import { type AnyVariables, Client, type CombinedError, fetchExchange } from '@urql/core';
import type { TadaDocumentNode } from 'gql.tada';
import { ClientError, ClientOnlyErrorCode } from '../app/model.js';
import type { TokenKeeper } from './auth.js';
import { isNetworkError, isSignedOutError, knownErrorCode, networkError, RETRY_AFTER_REFRESH } from './errors.js';

export type ApiOptions = {
  baseUrl: string;
  fetch: typeof fetch;
  tokens: TokenKeeper;
  /** Told after every request whether the server answered (false: offline, DNS, 5xx). */
  onReachable: (reachable: boolean) => void;
  /** Told when an answer says this device is signed out for good (revoked, refresh refused). */
  onSignedOut: (error: ClientError) => void;
};

export type RequestOptions = {
  /** Send without an access token (sign up, sign in, redeeming a pairing code). */
  anonymous?: boolean;
};

/** A document's variables, which may be left out when it declares none that are required. */
type RequestArgs<V> =
  Record<string, never> extends V ? [variables?: V, options?: RequestOptions] : [variables: V, options?: RequestOptions];

type OperationKind = 'query' | 'mutation';

/**
 * GraphQL over HTTP through urql. Every authenticated request carries a fresh access token;
 * on UNAUTHENTICATED or TOKEN_EXPIRED it refreshes and retries once. Rejects with ClientError:
 * NETWORK when there was no usable answer, else the API's `extensions.code` (UNKNOWN for a code
 * outside ErrorCode) and message.
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

  /** Runs a query signed in (or `anonymous`); resolves with its data, typed from the document. */
  query<R, V extends AnyVariables>(document: TadaDocumentNode<R, V>, ...[variables, options]: RequestArgs<V>): Promise<R> {
    return this.send('query', document, (variables ?? {}) as V, options?.anonymous === true);
  }

  /** Runs a mutation signed in (or `anonymous`); resolves with its data, typed from the document. */
  mutation<R, V extends AnyVariables>(document: TadaDocumentNode<R, V>, ...[variables, options]: RequestArgs<V>): Promise<R> {
    return this.send('mutation', document, (variables ?? {}) as V, options?.anonymous === true);
  }

  private async send<R, V extends AnyVariables>(
    kind: OperationKind,
    document: TadaDocumentNode<R, V>,
    variables: V,
    anonymous: boolean,
  ): Promise<R> {
    try {
      const result = anonymous ? await this.once(kind, document, variables) : await this.authenticated(kind, document, variables);
      this.options.onReachable(true);
      return result;
    } catch (e) {
      if (isNetworkError(e)) this.options.onReachable(false);
      else this.options.onReachable(true);
      if (isSignedOutError(e)) this.options.onSignedOut(e as ClientError);
      throw e;
    }
  }

  private async authenticated<R, V extends AnyVariables>(kind: OperationKind, document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
    const token = await this.options.tokens.fresh();
    try {
      return await this.once(kind, document, variables, token);
    } catch (e) {
      if (!(e instanceof ClientError) || !RETRY_AFTER_REFRESH.has(e.code)) throw e;
      return this.once(kind, document, variables, await this.options.tokens.refresh(token));
    }
  }

  private async once<R, V extends AnyVariables>(
    kind: OperationKind,
    document: TadaDocumentNode<R, V>,
    variables: V,
    token?: string,
  ): Promise<R> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const context = { fetchOptions: { credentials: 'same-origin' as const, headers } };
    const op = kind === 'mutation' ? this.client.mutation(document, variables, context) : this.client.query(document, variables, context);
    const result = await op.toPromise();
    if (result.error) throw toClientError(result.error);
    if (!result.data) throw networkError('Mailboat sent an empty answer');
    return result.data;
  }
}

function toClientError(error: CombinedError): ClientError {
  const status = (error.response as Response | undefined)?.status;
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR)
    return new ClientError(knownErrorCode(code), first?.message ?? code);
  if (error.networkError || (status !== undefined && status >= 500) || code === ErrorCode.INTERNAL_SERVER_ERROR) {
    return networkError(first?.message ?? error.networkError?.message ?? 'No connection to Mailboat');
  }
  return new ClientError(ClientOnlyErrorCode.UNKNOWN, first?.message ?? error.message);
}
