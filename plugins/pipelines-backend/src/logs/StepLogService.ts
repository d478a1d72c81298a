import {
  ClusterAccess,
  EntityScope,
  isInScope,
} from '@cairn/plugin-kubernetes-node';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { StepState, TEKTON_LABELS } from '@cairn/plugin-pipelines-common';
import { TektonClusterCaches, TektonWatches } from '../watch';
import {
  ArchiveCap,
  archiveCap,
  cutMarker,
  readSegments,
} from './archiveLayout';
import { LogStore, StepArchive } from './LogStore';
import { StepLogArchiver } from './StepLogArchiver';
import { currentAttempt } from './stepTargets';

/** Which part of a step's log to read. @public */
export interface StepLogRequest {
  taskRun: string;
  step: string;
  /** The TaskRun attempt (0 first, then retries); default the latest. */
  attempt?: number;
  /** Keep the response open and send what the step writes until it ends. */
  follow?: boolean;
  /** Byte offset to start at (moved to the next line start). */
  start?: number;
  /** Byte offset to end before (reads without `follow`). */
  end?: number;
  /** Start this many bytes before the end (moved to the next line start). */
  tail?: number;
}

/** A step's log as it is read. @public */
export interface StepLogRead {
  /** `live` while the step's log is still being archived, then `archive`. */
  source: 'live' | 'archive';
  attempt: number;
  /** Bytes the step wrote so far. */
  size: number;
  /** Byte offset where `stream` starts. */
  start: number;
  /** Why the log may be partial. */
  note?: string;
  stream: Readable;
}

/** A line of a log that matches a search. @public */
export interface StepLogMatch {
  /** Byte offset of the line's start. */
  offset: number;
  line: string;
}

/** Options of {@link StepLogService}. @public */
export interface StepLogServiceOptions {
  clusters: ClusterAccess;
  watches: TektonWatches;
  store: LogStore;
  archiver: StepLogArchiver;
  /** Days logs are kept (for the message when they are gone). */
  retentionDays: number;
  syncTimeoutMs?: number;
}

/** Chunks read per database query when streaming. */
const CHUNKS_PER_READ = 4;
/** How far a start is moved to find the next line. */
const ALIGN_LIMIT = 64 * 1024;
/** Longest matching line returned by a search. */
const MATCH_CHARS = 500;
const NEWLINE = 0x0a;

const capOf = (archive: StepArchive): ArchiveCap =>
  archiveCap(archive.maxBytes ?? Number.MAX_SAFE_INTEGER);

/**
 * Step logs, read from the archive the {@link StepLogArchiver} writes while
 * the steps run: streamed chunk by chunk from the database (never held
 * whole), by byte range, from the tail, or followed until the step ends;
 * and searched on the server. Runs that are gone from the cluster are
 * served from the archive for the entities they belonged to.
 * @public
 */
export class StepLogService {
  constructor(private readonly options: StepLogServiceOptions) {}

  private synced(cluster: string): Promise<TektonClusterCaches> {
    this.options.clusters.get(cluster);
    return this.options.watches.synced(
      cluster,
      this.options.syncTimeoutMs ?? 10_000,
    );
  }

  /** The archive of a step of one of a run's TaskRuns, and whether its container ended. */
  private async resolve(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    request: Pick<StepLogRequest, 'taskRun' | 'step' | 'attempt'>,
  ): Promise<{ archive: StepArchive; ended: boolean }> {
    const { taskRun: taskRunName, step } = request;
    const { store } = this.options;
    const caches = await this.synced(cluster);
    const run = caches.pipelineRuns.get(namespace, name);
    if (run && isInScope(scope, cluster, run)) {
      const taskRun = caches.taskRuns.get(namespace, taskRunName);
      if (
        !taskRun ||
        taskRun.metadata.labels?.[TEKTON_LABELS.pipelineRun] !== name
      ) {
        throw new NotFoundError(
          `task run "${taskRunName}" is not part of pipeline run "${name}"`,
        );
      }
      const latest = currentAttempt(taskRun);
      const attempt = request.attempt ?? latest;
      if (attempt > latest) {
        throw new InputError(
          `task run "${taskRunName}" has ${
            latest + 1
          } attempt(s), numbered from 0; there is no attempt ${attempt}`,
        );
      }
      const steps = (
        attempt === latest
          ? taskRun.status?.steps
          : taskRun.status?.retriesStatus?.[attempt]?.steps
      ) as StepState[] | undefined;
      const state = steps?.find(s => s.name === step);
      if (!state) {
        const names = (steps ?? []).map(s => s.name);
        throw new InputError(
          `task run "${taskRunName}" has no step "${step}"${
            names.length ? `; its steps are ${names.join(', ')}` : ' yet'
          }`,
        );
      }
      if (!state.running && !state.terminated) {
        throw new NotFoundError(
          `step "${step}" of task run "${taskRunName}" has not started${
            state.waiting?.reason ? ` (${state.waiting.reason})` : ''
          }`,
        );
      }
      const key = {
        runUid: run.metadata.uid ?? '',
        taskRun: taskRunName,
        attempt,
        step,
      };
      // The archiver opens a step's archive as soon as its watch shows it.
      for (let waited = 0; ; waited += 100) {
        const archive = await store.getStep(key);
        if (archive) return { archive, ended: Boolean(state.terminated) };
        if (waited >= 5000) {
          throw new ServiceUnavailableError(
            `the log of step "${step}" of task run "${taskRunName}" is not archived yet; try again in a moment`,
          );
        }
        await sleep(100);
      }
    }
    // The run itself may be gone (pruned): serve what was archived.
    const archivedRun = await store.findRun(cluster, namespace, name);
    if (
      !archivedRun ||
      !isInScope(scope, cluster, {
        metadata: { namespace, labels: archivedRun.labels },
      })
    ) {
      throw new NotFoundError(
        `pipeline run "${name}" not found in namespace "${namespace}" on cluster "${cluster}" for ${scope.entityRef}`,
      );
    }
    if (archivedRun.logsExpiredAt) {
      throw new NotFoundError(
        `the logs of pipeline run "${name}" expired: they are kept ${
          this.options.retentionDays
        } d (pipelines.logs.retentionDays) and were deleted on ${archivedRun.logsExpiredAt.toISOString()}`,
      );
    }
    const archive =
      request.attempt === undefined
        ? await store.latestAttempt(archivedRun.runUid, taskRunName, step)
        : await store.getStep({
            runUid: archivedRun.runUid,
            taskRun: taskRunName,
            attempt: request.attempt,
            step,
          });
    if (!archive) {
      throw new NotFoundError(
        `no archived log of step "${step}" of task run "${taskRunName}"${
          request.attempt === undefined ? '' : ` (attempt ${request.attempt})`
        } in pipeline run "${name}"`,
      );
    }
    return { archive, ended: true };
  }

  /** Reads (or follows) a step's log. */
  async read(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    request: StepLogRequest,
  ): Promise<StepLogRead> {
    const { store, archiver } = this.options;
    if (
      request.tail !== undefined &&
      (request.start !== undefined || request.end !== undefined)
    ) {
      throw new InputError(
        'tail reads the end of a log: give it without start or end',
      );
    }
    if (request.follow && request.end !== undefined) {
      throw new InputError(
        'a followed log has no end: give end without follow',
      );
    }
    if ((request.end ?? Infinity) < (request.start ?? 0)) {
      throw new InputError(
        `end (${request.end}) is before start (${request.start ?? 0})`,
      );
    }
    const resolved = await this.resolve(
      scope,
      cluster,
      namespace,
      name,
      request,
    );
    let archive = resolved.archive;
    if (archive.state === 'gone') {
      throw new NotFoundError(
        `the log of step "${request.step}" is gone: ${archive.note}`,
      );
    }
    if (!request.follow && archive.state === 'open' && resolved.ended) {
      // The container ended: its last lines are moments from the archive.
      const deadline = Date.now() + 10_000;
      while (archive.state === 'open' && Date.now() < deadline) {
        await archiver.waitForAppend(archive.id, 500);
        archive = (await store.getStepById(archive.id)) ?? archive;
      }
    }
    const requested =
      request.tail !== undefined
        ? Math.max(0, archive.written - request.tail)
        : Math.min(request.start ?? 0, archive.written);
    const start = await this.alignToLine(archive, requested);
    const end = request.follow
      ? undefined
      : Math.min(request.end ?? archive.written, archive.written);
    return {
      source: archive.state === 'open' ? 'live' : 'archive',
      attempt: archive.attempt,
      size: archive.written,
      start,
      note: archive.note,
      stream: Readable.from(this.bytes(archive, start, end), {
        objectMode: false,
      }),
    };
  }

  /** Lines of a step's log that contain `query` (any case), in order. */
  async search(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    name: string,
    request: Pick<StepLogRequest, 'taskRun' | 'step' | 'attempt'> & {
      query: string;
      limit: number;
    },
  ): Promise<{ matches: StepLogMatch[]; truncated: boolean }> {
    const { archive } = await this.resolve(
      scope,
      cluster,
      namespace,
      name,
      request,
    );
    const needle = request.query.toLowerCase();
    const matches: StepLogMatch[] = [];
    let line: Buffer[] = [];
    let lineLength = 0;
    let lineStart = 0;
    const endLine = () => {
      const text = Buffer.concat(line).toString('utf8');
      if (text.toLowerCase().includes(needle)) {
        matches.push({ offset: lineStart, line: text.slice(0, MATCH_CHARS) });
      }
      line = [];
      lineLength = 0;
    };
    const segments = readSegments(
      0,
      archive.written,
      archive.written,
      capOf(archive),
    );
    for (const segment of segments) {
      if (segment.kind === 'cut') {
        if (lineLength) endLine();
        lineStart = segment.end;
        continue;
      }
      for await (const { offset, bytes } of this.stored(
        archive,
        segment.start,
        segment.end,
      )) {
        let at = 0;
        while (at < bytes.length && matches.length <= request.limit) {
          const newline = bytes.indexOf(NEWLINE, at);
          const to = newline < 0 ? bytes.length : newline;
          // Only the first part of a very long line is searched.
          if (lineLength < ALIGN_LIMIT) {
            line.push(bytes.subarray(at, to));
            lineLength += to - at;
          }
          if (newline < 0) break;
          endLine();
          at = newline + 1;
          lineStart = offset + at;
        }
        if (matches.length > request.limit) break;
      }
    }
    if (lineLength && matches.length <= request.limit) endLine();
    return {
      matches: matches.slice(0, request.limit),
      truncated: matches.length > request.limit,
    };
  }

  /** `start`, or the start of the next line if it falls inside one. */
  private async alignToLine(
    archive: StepArchive,
    start: number,
  ): Promise<number> {
    if (start <= 0) return 0;
    const [segment] = readSegments(
      start - 1,
      start,
      archive.written,
      capOf(archive),
    );
    if (segment?.kind !== 'bytes') return start;
    for await (const { offset, bytes } of this.stored(
      archive,
      start - 1,
      Math.min(archive.written, start - 1 + ALIGN_LIMIT),
    )) {
      const newline = bytes.indexOf(NEWLINE);
      if (newline >= 0) return offset + newline + 1;
    }
    return start;
  }

  /** The stored bytes of `[start, end)` (gaps where the cap dropped them meanwhile are skipped). */
  private async *stored(
    archive: StepArchive,
    start: number,
    end: number,
  ): AsyncGenerator<{ offset: number; bytes: Buffer }> {
    const read = (from: number) =>
      this.options.store.readChunks(archive.id, from, end, CHUNKS_PER_READ);
    let position = start;
    let next = position < end ? read(position) : undefined;
    while (next) {
      const chunks = await next;
      if (chunks.length === 0) return;
      const last = chunks[chunks.length - 1];
      const after = last.offset + last.content.length;
      // The next query runs while this batch is sent: the database and the
      // client's connection work at once instead of taking turns.
      next = after < end ? read(after) : undefined;
      // Not awaited while this batch is consumed; a reader that stops early
      // leaves it settled, not unhandled.
      next?.catch(() => {});
      for (const chunk of chunks) {
        const from = Math.max(position, chunk.offset);
        const to = Math.min(end, chunk.offset + chunk.content.length);
        if (to <= from) continue;
        yield {
          offset: from,
          bytes: chunk.content.subarray(from - chunk.offset, to - chunk.offset),
        };
        position = to;
      }
    }
  }

  /**
   * The log from `start` to `end`, with a marker where the cap dropped
   * bytes; without `end`, followed until the archive is complete.
   */
  private async *bytes(
    initial: StepArchive,
    start: number,
    end: number | undefined,
  ): AsyncGenerator<Buffer> {
    let archive = initial;
    let cursor = start;
    for (;;) {
      const upTo = end ?? archive.written;
      const cap = capOf(archive);
      for (const segment of readSegments(cursor, upTo, archive.written, cap)) {
        if (segment.kind === 'cut') {
          yield Buffer.from(cutMarker(segment.start, segment.end, cap));
          cursor = segment.end;
          continue;
        }
        for await (const { offset, bytes } of this.stored(
          archive,
          segment.start,
          segment.end,
        )) {
          if (offset > cursor) {
            yield Buffer.from(cutMarker(cursor, offset, cap));
          }
          yield bytes;
          cursor = offset + bytes.length;
        }
        if (cursor < segment.end) {
          yield Buffer.from(cutMarker(cursor, segment.end, cap));
          cursor = segment.end;
        }
      }
      cursor = Math.max(cursor, upTo);
      if (end !== undefined) return;
      if (archive.state !== 'open' && cursor >= archive.written) return;
      await this.options.archiver.waitForAppend(archive.id, 1000);
      archive = (await this.options.store.getStepById(archive.id)) ?? archive;
    }
  }
}
