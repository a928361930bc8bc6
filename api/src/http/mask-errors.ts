import { ErrorCode } from '@mailboat/schema';
import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';

/** Yoga's masking, except that Pothos' argument validation errors (e.g. first: -1) become BAD_USER_INPUT. */
export const maskUnexpected: typeof maskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (error instanceof GraphQLError && original?.name === 'PothosValidationError') {
    const { nodes, source, positions, path } = error;
    return new GraphQLError(original.message, { nodes, source, positions, path, extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  return maskError(error, message, isDev);
};
