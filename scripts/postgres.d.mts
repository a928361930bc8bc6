export function findPostgresBin(): string | undefined;
export function ensurePostgresInstalled(): void;
export function aptInstall(packages: string[]): void;
export function freePort(): Promise<number>;
export function startPostgres(): Promise<{ url: string; port: number; dir: string; stop: () => void }>;
