/** Failures of store operations, which the API layer turns into metav1.Status. */
export class StoreError extends Error {
  constructor(
    readonly code: 'NotFound' | 'Exists' | 'Conflict' | 'TooOld',
    message: string,
    /** For TooOld: the oldest resourceVersion the history can still serve from. */
    readonly compactedResourceVersion?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
