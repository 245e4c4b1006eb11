import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api';
import { ClientProvider } from './api/context';
import { App } from './App';
import { JobsProvider } from './jobs';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <ClientProvider client={createClient()}>
      <JobsProvider>
        <App />
      </JobsProvider>
    </ClientProvider>
  </StrictMode>,
);
