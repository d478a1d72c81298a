/*
 * The portal's root HTTP router: Backstage's default middleware chain with
 * two changes.
 * - Guest sign-in (`/api/auth/guest/…`) answers only peers on loopback (the
 *   demo ops sign-in, `/api/auth/demoOps/…`, checks that itself), and the
 *   backend refuses to start when either could be reached from the network
 *   (see localMode.ts).
 * - An unknown route under `/api/` gets a JSON NotFoundError body, as every
 *   other error does, instead of Backstage's empty 404.
 */
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { readDurationFromConfig } from '@backstage/config';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { RequestHandler } from 'express';
import { isLoopbackAddress } from '@cairn/plugin-auth-backend-module-demo-ops-provider';
import {
  assertCredentialFreeSignInStaysLocal,
  guestSignInRefusal,
} from './localMode';

const serverTimeoutKeys = [
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'timeout',
] as const;

// The socket's peer, never X-Forwarded-For: a header anyone can write.
const guestSignInFromLoopbackOnly: RequestHandler = (req, _res, next) => {
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    next(new NotAllowedError(guestSignInRefusal(req.socket.remoteAddress)));
    return;
  }
  next();
};

const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route ${req.method} ${req.originalUrl}`));
};

export const cairnRootHttpRouterServiceFactory = rootHttpRouterServiceFactory({
  configure({ app, server, routes, middleware, config, healthRouter }) {
    assertCredentialFreeSignInStaysLocal(config);

    // What Backstage's applyDefaults() sets up, in its order.
    if (process.env.NODE_ENV === 'development') app.set('json spaces', 2);
    const trustProxy = config.getOptional('backend.trustProxy');
    if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
    const serverConfig = config.getOptionalConfig('backend.server');
    for (const key of serverTimeoutKeys) {
      if (serverConfig?.has(key)) {
        const value = serverConfig.get(key);
        server[key] =
          typeof value === 'number'
            ? value
            : durationToMilliseconds(
                readDurationFromConfig(serverConfig, { key }),
              );
      }
    }
    app.use(middleware.helmet());
    app.use(middleware.cors());
    app.use(middleware.compression());
    app.use(middleware.logging());
    app.use(middleware.rateLimit());
    app.use(healthRouter);
    app.use('/api/auth/guest', guestSignInFromLoopbackOnly);
    app.use(routes);
    app.use('/api', apiNotFound);
    app.use(middleware.notFound());
    app.use(middleware.error());
  },
});
