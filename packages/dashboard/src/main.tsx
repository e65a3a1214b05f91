import { render } from 'preact';
import { App } from './app.js';
import { applyTheme, loadTheme } from './lib/theme.js';
import './styles/index.css';

applyTheme(loadTheme());
const root = document.getElementById('app');
if (root) render(<App />, root);
