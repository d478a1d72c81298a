export interface Config {
  debugTerminal?: {
    /**
     * The toolkits the portal offers (name, image, profile, description,
     * command); the default is @cairn/operators-api's DEFAULT_DEBUG_TOOLKITS.
     * Keep it the same as the DebugSession controller's CAIRN_DEBUG_TOOLKITS:
     * the controller resolves the names.
     */
    toolkits?: Array<{
      name: string;
      image: string;
      profile: 'general' | 'baseline' | 'restricted' | 'netadmin' | 'sysadmin';
      description?: string;
      command?: string[];
    }>;
    /** No session the portal creates lasts longer (seconds; default 8 hours). */
    maxTtlSeconds?: number;
    /** A terminal with no input or output for this long is closed (seconds; default 900). */
    idleTimeoutSeconds?: number;
    /** Open terminals one user may have at once (default 5). */
    maxSessionsPerUser?: number;
    recording?: {
      /** Output kept per terminal; beyond it the recording is marked truncated (bytes; default 5 MiB). */
      maxBytes?: number;
      /** Recordings older than this are deleted (days; default 90). */
      retentionDays?: number;
    };
  };
}
