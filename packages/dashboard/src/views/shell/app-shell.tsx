import { useRoute } from '../../lib/router.js';
import type { Route } from '../../lib/routes.js';
import { EmptyState } from '../../ui/page.js';
import { CreateEnvView } from '../envs/create-env-view.js';
import { EnvView } from '../envs/env-view.js';
import { EnvsView } from '../envs/envs-view.js';
import { FleetView } from '../fleet/fleet-view.js';
import { HostView } from '../fleet/host-view.js';
import { ImagesView } from '../images/images-view.js';
import { KeysView } from '../keys/keys-view.js';
import { OrgsView } from '../tenancy/orgs-view.js';
import { UsersView } from '../tenancy/users-view.js';
import { VmView } from '../vms/vm-view.js';
import { Sidebar } from './sidebar.js';

export function AppShell() {
  const route = useRoute();
  return (
    <div class="shell">
      <Sidebar route={route} />
      <main class="main" id="main">
        <Screen route={route} />
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'fleet':
      return <FleetView />;
    case 'host':
      return <HostView id={route.id} />;
    case 'envs':
      return <EnvsView />;
    case 'env-new':
      return <CreateEnvView />;
    case 'env':
      return <EnvView id={route.id} org={route.org} />;
    case 'vm':
      return <VmView id={route.id} org={route.org} />;
    case 'images':
      return <ImagesView />;
    case 'keys':
      return <KeysView />;
    case 'orgs':
      return <OrgsView />;
    case 'users':
      return <UsersView />;
    case 'not-found':
      return (
        <div class="page">
          <EmptyState icon="search" title="Nothing here">
            No page at <span class="mono">{route.path}</span>.
          </EmptyState>
        </div>
      );
  }
}
