export { signInAsGuest, signInAsOps } from './signIn';
