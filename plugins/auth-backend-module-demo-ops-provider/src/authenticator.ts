/*
 * The demo ops sign-in: Backstage's proxy-provider shape (as its guest
 * provider), with no credentials at all. Whoever can call it becomes the
 * configured user, so it answers only peers on this machine and only in a
 * development backend, and signs in exactly the catalog user the
 * configuration names: that user's groups, from the catalog, decide what
 * they may do.
 */
import {
  DEFAULT_NAMESPACE,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  createProxyAuthenticator,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import { isLoopbackAddress } from './loopback';

/** The provider's id: its routes are /api/auth/demoOps/…, its config auth.providers.demoOps. */
export const DEMO_OPS_PROVIDER_ID = 'demoOps';

const CONFIG_PATH = `auth.providers.${DEMO_OPS_PROVIDER_ID}`;

/** A sign-in's outcome: the catalog user the configuration names. */
export type DemoOpsResult = { userEntityRef: string };

type DemoOpsContext = {
  userEntityRef: string;
  /** Set outside a development backend unless the configuration accepts the risk by name. */
  refusedOutsideDevelopment: boolean;
};

/** The message a sign-in from another machine gets with its 403. */
export function demoOpsSignInRefusal(peer: string | undefined): string {
  return (
    `Ops demo sign-in (${CONFIG_PATH}) is only possible from this machine ` +
    `(loopback); this request came from ${peer ?? 'an unknown address'}. ` +
    `Sign in with a real provider (see the README, "Signing in").`
  );
}

export const demoOpsAuthenticator = createProxyAuthenticator<
  DemoOpsContext,
  DemoOpsResult,
  undefined
>({
  initialize({ config }) {
    return {
      userEntityRef: stringifyEntityRef(
        parseEntityRef(config.getString('userEntityRef'), {
          defaultKind: 'user',
          defaultNamespace: DEFAULT_NAMESPACE,
        }),
      ),
      refusedOutsideDevelopment:
        process.env.NODE_ENV !== 'development' &&
        config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') !==
          true,
    };
  },

  async authenticate({ req }, { userEntityRef, refusedOutsideDevelopment }) {
    if (refusedOutsideDevelopment) {
      throw new NotAllowedError(
        `Ops demo sign-in is only for a development backend (NODE_ENV=development); ` +
          `remove ${CONFIG_PATH} and sign in with a real provider.`,
      );
    }
    // The socket's peer, never X-Forwarded-For: a header anyone can write.
    const peer = req.socket.remoteAddress;
    if (!isLoopbackAddress(peer)) {
      throw new NotAllowedError(demoOpsSignInRefusal(peer));
    }
    return { result: { userEntityRef } };
  },

  // The profile the portal shows (name, email) is the catalog user's own.
  async defaultProfileTransform({ userEntityRef }, ctx) {
    const { entity } = await ctx
      .findCatalogUser({ entityRef: userEntityRef })
      .catch(error => {
        if (error?.name !== 'NotFoundError') throw error;
        throw new NotFoundError(
          `${CONFIG_PATH}.userEntityRef names ${userEntityRef}, who is not in the catalog`,
        );
      });
    const { displayName, email, picture } = (entity.spec?.profile ?? {}) as {
      displayName?: string;
      email?: string;
      picture?: string;
    };
    return { profile: { displayName, email, picture } };
  },
});

/**
 * Signs in the configured user as the catalog has them, with their groups
 * as ownership; no fallback for a user the catalog does not know.
 */
export const signInAsDemoOpsUser: SignInResolver<DemoOpsResult> = async (
  { result },
  ctx,
) => ctx.signInWithCatalogUser({ entityRef: result.userEntityRef });
