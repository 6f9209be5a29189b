// Tagged templates instead of JSX: no compile step beyond esbuild's bundling.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
