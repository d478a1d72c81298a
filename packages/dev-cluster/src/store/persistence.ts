import { promises as fs, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ObjectStore } from './objectStore';

/*
 * Optional persistence of the store to one JSON file, so a restarted cluster
 * keeps its objects. Writes are coalesced and atomic (temp file + rename);
 * the file holds Secrets, so it is private to the user (0600).
 */

export function loadStoreFile(store: ObjectStore, file: string): void {
  if (!existsSync(file)) return;
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  store.restore(snapshot);
}

export class StorePersister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ObjectStore,
    private readonly file: string,
    private readonly delayMs = 200,
  ) {
    store.onChange(() => this.schedule());
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, this.delayMs);
  }

  private async write(): Promise<void> {
    const data = JSON.stringify(this.store.snapshot());
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temp, data, { mode: 0o600 });
    await fs.rename(temp, this.file);
  }

  /** Writes any pending change now; call before exiting. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }
    await this.writing;
  }
}
