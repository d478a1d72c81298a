import { useState } from 'react';
import { Button } from '@material-ui/core';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  PublishDialog,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';

/**
 * "Save to store": publishes the builder's Pipeline YAML as a new version of
 * a Pipeline template. Shown only when the app has the template store, as
 * the task picker's store tab is.
 */
export function SaveToStoreButton({ yaml }: { yaml: string }) {
  const hasStore = Boolean(useApiHolder().get(templateStoreApiRef));
  const [open, setOpen] = useState(false);
  if (!hasStore) return null;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        Save to store
      </Button>
      {open && <PublishDialog yaml={yaml} onClose={() => setOpen(false)} />}
    </>
  );
}
