export { StoneActions } from './StoneActions';
export type { StoneChange } from './StoneActions';
export { isConflict, errorMessage } from './errorMessage';
