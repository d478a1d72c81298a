import { useState } from 'react';
import { Button } from '@material-ui/core';
import { useApiHolder, useRouteRef } from '@backstage/core-plugin-api';
import {
  PublishDialog,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';
import { templateStoreRouteRef } from '../../routes';

/**
 * "Save to store": publishes the builder's Pipeline YAML as a new version of
 * a Pipeline template. Shown only when the app has the template store, as
 * the task picker's store tab is. The link to what it saved goes where the
 * app mounts the store (the external route bound in the app).
 */
export function SaveToStoreButton({ yaml }: { yaml: string }) {
  const hasStore = Boolean(useApiHolder().get(templateStoreApiRef));
  const storeRoute = useRouteRef(templateStoreRouteRef);
  const [open, setOpen] = useState(false);
  if (!hasStore) return null;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        Save to store
      </Button>
      {open && (
        <PublishDialog
          yaml={yaml}
          storePath={storeRoute?.()}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
