// Types of contract-checks.js (shared with the browser test pages).

/** A handle as the checks use it: either kind; reads may answer at once or later. */
export interface ContractHandle {
  readonly closed: boolean;
  readonly readOnly: boolean;
  [method: string]: unknown;
}

export interface ContractEnv {
  open(name: string, options?: object): Promise<ContractHandle>;
  reopen(name: string, options?: object): Promise<ContractHandle>;
  indexedDB: IDBFactory;
  name(base: string): string;
}

export interface ContractCheck {
  name: string;
  run(): Promise<void>;
}

export function contractChecks(env: ContractEnv): ContractCheck[];
