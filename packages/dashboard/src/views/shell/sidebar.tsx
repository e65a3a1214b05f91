import type { Role } from '@apiary/protocol';
import { useState } from 'preact/hooks';
import type { LiveStatus } from '../../api/event-stream.js';
import { onLinkClick } from '../../lib/router.js';
import type { Route } from '../../lib/routes.js';
import { canManageOrgs, canManageUsers } from '../../lib/tenancy-access.js';
import { applyTheme, loadTheme, type Theme } from '../../lib/theme.js';
import { useApp } from '../../state/app-context.js';
import { Icon, type IconName, LogoMark } from '../../ui/icons.js';

interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  active: Route['name'][];
  /** Shown only to roles that may use the page (members do not see tenancy pages). */
  shownTo?: (role: Role | undefined) => boolean;
}

const NAV: NavItem[] = [
  { href: '/', label: 'Fleet', icon: 'fleet', active: ['fleet', 'host'] },
  { href: '/envs', label: 'Environments', icon: 'envs', active: ['envs', 'env', 'env-new', 'vm'] },
  { href: '/images', label: 'Images', icon: 'images', active: ['images'] },
  { href: '/keys', label: 'Keys', icon: 'keys', active: ['keys'] },
  { href: '/users', label: 'Users', icon: 'users', active: ['users'], shownTo: canManageUsers },
  { href: '/orgs', label: 'Organizations', icon: 'org', active: ['orgs'], shownTo: canManageOrgs },
];

const LIVE_TEXT: Record<LiveStatus, { label: string; title: string }> = {
  live: { label: 'Live', title: 'Receiving updates from the controller as they happen' },
  connecting: { label: 'Connecting', title: 'Opening the event stream' },
  polling: {
    label: 'Polling',
    title: 'The event stream is unavailable; refreshing every few seconds instead',
  },
};

export function Sidebar({ route }: { route: Route }) {
  const { whoami, session, live, signOut } = useApp();
  const [theme, setTheme] = useState<Theme>(loadTheme());
  const toggleTheme = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next);
    setTheme(next);
  };
  return (
    <div class="sidebar-col">
      <nav class="sidebar" aria-label="Main">
        <a class="brand" href="/" onClick={(e) => onLinkClick(e, '/')}>
          <LogoMark />
          <span>Apiary</span>
        </a>
        <ul class="nav">
          {NAV.filter((item) => !item.shownTo || item.shownTo(whoami?.role)).map((item) => {
            const active = item.active.includes(route.name);
            return (
              <li key={item.href}>
                <a
                  href={item.href}
                  class={active ? 'active' : undefined}
                  aria-current={active ? 'page' : undefined}
                  onClick={(e) => onLinkClick(e, item.href)}
                  data-testid={`nav-${item.label.toLowerCase()}`}
                >
                  <Icon name={item.icon} />
                  {item.label}
                </a>
              </li>
            );
          })}
        </ul>
        <div class="sidebar-foot">
          <div
            class={`live live-${live}`}
            title={LIVE_TEXT[live].title}
            data-testid="live-status"
            data-live={live}
          >
            <span class="live-dot" aria-hidden="true" />
            {LIVE_TEXT[live].label}
          </div>
          <div class="user">
            <div class="avatar" aria-hidden="true">
              {session.username.slice(0, 1).toUpperCase()}
            </div>
            <div class="user-text">
              <strong data-testid="signed-in-user">{session.username}</strong>
              <span class="muted">
                {whoami ? whoami.role.replace('_', ' ') : '\u00a0'}
                {whoami?.org ? ` · ${whoami.org.name}` : ''}
              </span>
            </div>
          </div>
          <div class="sidebar-actions">
            <button
              type="button"
              class="icon-btn"
              onClick={toggleTheme}
              aria-label={theme === 'dark' ? 'Use light theme' : 'Use dark theme'}
              title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
            >
              <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
            </button>
            <button type="button" class="icon-btn" onClick={() => signOut()} title="Sign out">
              <Icon name="logout" />
              <span class="sr-only">Sign out</span>
            </button>
          </div>
        </div>
      </nav>
    </div>
  );
}
