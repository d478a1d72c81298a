export { RunActions } from './RunActions';
export { StartRunDialog } from './StartRunDialog';
export { StartRunButton } from './StartRunButton';
export type { StartRunValues } from './StartRunDialog';
export { CancelRunDialog } from './CancelRunDialog';
export { DeleteRunDialog } from './DeleteRunDialog';
export {
  ParamField,
  toParamFieldValue,
  fromParamFieldValue,
} from './ParamField';
export type { ParamFieldValue } from './ParamField';
