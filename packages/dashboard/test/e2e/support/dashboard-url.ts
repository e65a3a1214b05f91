export interface DashboardEndpoint {
  url: string;
  close: () => Promise<void>;
}

/**
 * The URL a browser opens: the controller itself, which serves the built dashboard at `/`, its
 * API, events and console websockets on one origin. A controller that does not serve the page
 * fails the tests here rather than being worked around.
 */
export async function dashboardEndpoint(controller: {
  url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}): Promise<DashboardEndpoint> {
  const controllerUrl = controller.url;
  const response = await controller.fetch('/', { headers: { accept: 'text/html' } });
  const html = await response.text();
  if (!html.includes('<div id="app"></div>')) {
    throw new Error(
      `the controller at ${controllerUrl} does not serve the dashboard at / (HTTP ${response.status}): ` +
        'build @apiary/dashboard, then @apiary/controller',
    );
  }
  return { url: controllerUrl, close: async () => {} };
}
