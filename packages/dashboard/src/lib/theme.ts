export type Theme = 'light' | 'dark';

const KEY = 'apiary.theme';

/** Light unless the operator chose dark (kept per browser). */
export function loadTheme(): Theme {
  return localStorage.getItem(KEY) === 'dark' ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(KEY, theme);
}
