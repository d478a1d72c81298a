import { Route, Routes } from 'react-router-dom';
import { StorePage } from './StorePage';
import { TemplatePage } from './TemplatePage';

/** The store's pages: the list, and `/:kind/:name` for one template. */
export function TemplateStoreRouter() {
  return (
    <Routes>
      <Route path="/" element={<StorePage />} />
      <Route path="/:kind/:name" element={<TemplatePage />} />
    </Routes>
  );
}
