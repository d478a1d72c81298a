export * from './DebugTerminalApi';
export * from './DebugTerminalClient';
