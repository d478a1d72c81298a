/**
 * The template store's frontend pieces other plugins use: its API (ref,
 * interface, client) and the install and publish dialogs.
 *
 * @packageDocumentation
 */
export * from './api';
export { InstallDialog } from './components/InstallDialog';
export type { InstallDialogProps } from './components/InstallDialog';
export { PublishDialog } from './components/PublishDialog';
export type { PublishDialogProps } from './components/PublishDialog';
