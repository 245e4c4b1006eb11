// The page a headless Chromium (or a hidden window) opens to host runs: it only offers itself.
import { offerTrainingHost } from './page';

const token = new URL(import.meta.url).searchParams.get('token') ?? undefined;
void offerTrainingHost(location.href, token, true);
