/** Entry point: one session for the page, the app around it. */
import { render } from 'preact';
import { App } from './views/app.js';
import { Session } from './session.js';
import './styles.css';

const session = new Session();
render(<App session={session} />, document.getElementById('root')!);
