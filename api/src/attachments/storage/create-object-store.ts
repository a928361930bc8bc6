import { FileStore } from './file-store.js';
import type { ObjectStore } from './object-store.js';
import { S3Store, type S3StoreOptions } from './s3-store.js';

/** Which store holds attachment bytes: a folder on this machine, or an S3 bucket. */
export type ObjectStoreOptions = { kind: 'fs'; dir: string } | ({ kind: 's3' } & S3StoreOptions);

/** The store `options` name; nothing is touched (no folder made, no request sent) until it is first used. */
export function createObjectStore(options: ObjectStoreOptions): ObjectStore {
  switch (options.kind) {
    case 'fs':
      return new FileStore(options.dir);
    case 's3': {
      const { kind: _kind, ...s3 } = options;
      return new S3Store(s3);
    }
  }
}
