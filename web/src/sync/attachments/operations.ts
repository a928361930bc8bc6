import { graphql } from '@mailboat/schema/graphql';

/** The GraphQL documents of attachments (schema/schema.graphql): the server's limits, and the two steps of an upload. */

export const ATTACHMENT_LIMITS = graphql(
  'query AttachmentLimits { attachmentLimits { maxFileBytes maxMessageBytes maxPerMessage partBytes } }',
);

/** Idempotent per clientAttachmentId: called again (after a restart), it lists only the parts still missing. */
export const START_UPLOAD = graphql(`mutation StartAttachmentUpload($input: StartAttachmentUploadInput!) {
  startAttachmentUpload(input: $input) { attachmentId complete parts { number offset size url headers { name value } } }
}`);

/** Resolves once the attachment is ready (type checked, thumbnail made): only then may a message name it. */
export const COMPLETE_UPLOAD = graphql(
  'mutation CompleteAttachmentUpload($id: ID!) { completeAttachmentUpload(attachmentId: $id) { id } }',
);
