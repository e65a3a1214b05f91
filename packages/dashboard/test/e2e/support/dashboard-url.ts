import { startFrontDoor } from './front-door.js';

export interface DashboardEndpoint {
  url: string;
  /** `controller`: the controller serves the built dashboard at `/` itself. */
  servedBy: 'controller' | 'front-door';
  close: () => Promise<void>;
}

/**
 * The URL a browser should open. When the controller serves the dashboard at `/` (the
 * integration this package asks for), that is the controller itself; until then a front door
 * serves dist/ with the same rules and forwards the API, events and websockets to it.
 */
export async function dashboardEndpoint(controllerUrl: string): Promise<DashboardEndpoint> {
  const response = await fetch(`${controllerUrl}/`, { headers: { accept: 'text/html' } });
  const html = await response.text();
  if (html.includes('<div id="app"></div>')) {
    return { url: controllerUrl, servedBy: 'controller', close: async () => {} };
  }
  const door = await startFrontDoor(controllerUrl);
  return { url: door.url, servedBy: 'front-door', close: door.close };
}
