import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Cairn's template store: versioned Tekton Tasks, Pipelines and StepActions. */
  templateStore?: {
    /** Size limits of what the store accepts. */
    limits?: {
      /** Largest template YAML, in bytes; larger is refused with 413 (or rejected in an import). Default 1 MiB. */
      maxYamlBytes?: number;
      /** Largest uploaded archive, in bytes; larger is refused with 413. Default 50 MiB. */
      maxArchiveBytes?: number;
      /** Most files in one archive; more refuses the archive with 413. Default 10000. */
      maxArchiveFiles?: number;
    };
    imports?: {
      /** The owner group of templates an upload creates when it names none. Default `group:default/ops`. */
      defaultOwner?: string;
    };
    /**
     * Catalogs in the Tekton catalog layout (`task/<name>/<version>/<name>.yaml`)
     * imported at startup and on the schedule.
     */
    sources?: Array<{
      /** Names the source in import reports and logs. */
      id: string;
      /** `directory`: a folder on the backend's disk (relative to its working directory); `url`: read with the UrlReader (integrations' tokens apply). */
      type: 'directory' | 'url';
      /** The folder or URL of the catalog's root. */
      target: string;
      /** The owner group of templates this source creates. */
      owner: string;
    }>;
    /** When the sources are imported again. Default every 6 hours. */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
  };
  search?: {
    collators?: {
      /** The template store's collator (`@cairn/plugin-template-store-backend/search`). */
      templateStore?: {
        /** When templates are indexed again. Default every 10 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
