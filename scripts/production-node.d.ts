/** Types of scripts/production-node.js (plain JavaScript: `npm test` runs it before anything is compiled). */
export interface ProductionNode {
  /** Major of the deployed runtime, e.g. 24 for `nodejs24`. */
  major: number;
  version: string;
  node: string;
  npmCli: string;
  /** Holds `node` and `npm`: first on PATH, every child process runs on this Node too. */
  binDir: string;
  installed: boolean;
}
export function productionNode(): ProductionNode;
export function requireProductionNode(): ProductionNode;
export function installProductionNode(): ProductionNode;
