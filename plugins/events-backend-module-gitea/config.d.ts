export interface Config {
  events?: {
    modules?: {
      gitea?: {
        /**
         * The secret of the Gitea/Forgejo webhooks: deliveries to
         * POST /api/events/http/gitea must carry X-Gitea-Signature (or
         * X-Forgejo-Signature), the hex HMAC-SHA256 of the raw body with it.
         * Without it every delivery is refused.
         * @visibility secret
         */
        webhookSecret?: string;
      };
    };
  };
}
