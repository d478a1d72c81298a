export { signInAsGuest } from './signIn';
