import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { inUserWords } from '../../src/services/vm-changes/agent-words.js';
import { createHarness, type Harness, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

describe("an agent's words, put in the user's", () => {
  it('names VMs by name, and never shows an internal id, even one of another organization', async () => {
    h = await createHarness();
    await h.addAgent({
      hostId: 'host_words00000001',
      total: { cpu: 8, mem: 16384, disk: 400_000 },
    });
    await uploadImage(h, 'alpine-cloud');
    const res = await h.req('POST', '/v1/envs', {
      id: 'web',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud' }],
    });
    expect(res.status).toBe(202);
    await h.idle();
    const internal = await h.zoneOf('web-0');
    expect(internal).toMatch(/^web-[a-z2-7]{8}-0$/);
    const { vms } = h.database.t;
    const [row] = await h.database.db.select().from(vms).where(eq(vms.id, internal));
    const orgId = row?.orgId as string;
    const said = `VM ${internal} is running: stop it first; clones: other-abcdefgh-3`;
    expect(await inUserWords(h.core.ctx, orgId, said)).toBe(
      'VM web-0 is running: stop it first; clones: a VM',
    );
    // The same VM seen from another organization is not named.
    expect(await inUserWords(h.core.ctx, 'org_someoneelse0', said)).toBe(
      'VM a VM is running: stop it first; clones: a VM',
    );
  });
});
