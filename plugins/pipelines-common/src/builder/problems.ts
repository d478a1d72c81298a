/**
 * A problem with a Pipeline in the builder: Tekton's wording and what to
 * fix, the field it is about (`spec.tasks[1].taskSpec.steps[0].image`) and
 * the pipeline task it belongs to. Syntax errors carry a line and column.
 * @public
 */
export interface ValidationProblem {
  severity: 'error' | 'warning';
  message: string;
  path: string;
  task?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}
