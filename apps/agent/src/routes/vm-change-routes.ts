import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import type { VmChangeService } from '../vms/vm-change-service.js';

/** Resize, disks, CD-ROM, snapshots, clones and export (issue 13). */
export function mountVmChangeRoutes(app: Hono<AgentEnv>, changes: VmChangeService, bind: Bind) {
  bind(app, agentRoutes.updateVm, ({ params, query, body }) =>
    changes.update(params.id, body, query.restart),
  );
  bind(app, agentRoutes.addDisk, ({ params, body }) => changes.addDisk(params.id, body.size));
  bind(app, agentRoutes.removeDisk, ({ params }) => changes.removeDisk(params.id, params.n));
  bind(app, agentRoutes.attachCdrom, ({ params, body }) =>
    changes.attachCdrom(params.id, body.image),
  );
  bind(app, agentRoutes.detachCdrom, ({ params }) => changes.detachCdrom(params.id));
  bind(app, agentRoutes.listSnapshots, ({ params, query }) =>
    changes.listSnapshots(params.id, query.limit, query.offset),
  );
  bind(app, agentRoutes.createSnapshot, ({ params, body }) =>
    changes.snapshot(params.id, body.name),
  );
  bind(app, agentRoutes.rollbackSnapshot, ({ params, query }) =>
    changes.rollback(params.id, params.name, query),
  );
  bind(app, agentRoutes.deleteSnapshot, ({ params }) =>
    changes.deleteSnapshot(params.id, params.name),
  );
  bind(app, agentRoutes.cloneSnapshot, ({ params, body }) =>
    changes.clone(params.id, params.name, body),
  );
  bind(app, agentRoutes.exportSnapshot, ({ params }) =>
    changes.exportSnapshot(params.id, params.name),
  );
}
