/** Where the portal's server reaches the Strongroom API (STRONGROOM_API_URL; locally the API of `npm start`). */
export const apiBaseUrl = (): string =>
  (process.env.STRONGROOM_API_URL ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
