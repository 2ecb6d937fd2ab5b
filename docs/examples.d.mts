export interface Snippet {
  readonly id: string
  readonly code: string
}
export declare const promiseModules: ReadonlyArray<string>
export declare const modules: ReadonlyArray<string>
export declare const guides: ReadonlyArray<string>
export declare const codeOf: (text: string) => ReadonlyArray<string>
export declare const collect: () => { problems: Array<string>; snippets: Array<Snippet> }
export declare const typecheck: (snippets: ReadonlyArray<Snippet>, dir?: string) => Promise<Array<string>>
export declare const check: () => Promise<{ problems: Array<string>; count: number }>
