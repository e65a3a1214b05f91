import { PageHeader } from '../../ui/page.js';
import { ApiKeysSection } from './api-keys.js';
import { LicenseKeysSection } from './license-keys.js';

export function KeysView() {
  return (
    <div class="page">
      <PageHeader
        title="Keys"
        subtitle="API keys for programs, license keys for hosts. Secrets are shown once and stored hashed."
      />
      <div class="stack">
        <ApiKeysSection />
        <LicenseKeysSection />
      </div>
    </div>
  );
}
