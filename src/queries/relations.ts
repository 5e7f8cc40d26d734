/**
 * The relations of a Prisma schema, read from the copy Prisma generates into every client, so that
 * a fix can name them the way Bullet does (`Post => [:author]`, `.includes(:author)`).
 *
 * Prisma 7's client keeps its data model in two forms: a runtime data model (models, fields and
 * their types, but neither list-ness nor foreign keys) and the schema text it was generated from.
 * The helper reads the models and relation fields from the schema text: `author User
 * @relation(fields: [authorId], references: [id])` says which side holds the foreign key, and
 * `comments Comment[]` that the other side is a list. When the schema is missing or a lookup
 * matches no relation, the helper says so and falls back to generic advice.
 *
 * @module N+1 queries/Schema relations
 */

/** One relation field as the schema declares it. */
export interface RelationField {
  /** The model that declares the field, e.g. `Post`. */
  readonly owner: string;
  /** The field's name, e.g. `author`. */
  readonly name: string;
  /** The related model, e.g. `User`. */
  readonly target: string;
  /** `true` for `Comment[]`. */
  readonly list: boolean;
  /** The foreign-key fields on `owner` (`[authorId]`), empty on the side without the key. */
  readonly fields: readonly string[];
  /** The fields of `target` that the key points at (`[id]`). */
  readonly references: readonly string[];
  /** The relation's name, when the schema gives one (`@relation("Author")`). */
  readonly relationName: string | undefined;
}

/** The parent side of a loop's lookup: the rows the loop walks and the relation to load with them. */
export interface ParentRelation {
  /** The parent model, e.g. `Post`. */
  readonly model: string;
  /** The relation on the parent, e.g. `author` or `comments`. */
  readonly relation: string;
  /** `true` for a has-many relation (`comments`), `false` for a belongs-to or has-one. */
  readonly list: boolean;
}

interface ModelInfo {
  readonly table: string;
  readonly relations: RelationField[];
}

/** The models and relations of one client's schema, parsed on first use. */
export class SchemaRelations {
  #text: string | undefined;
  #models: Map<string, ModelInfo> | undefined;

  /** `schema` is the schema text the client was generated from, when known. */
  constructor(schema: string | undefined) {
    this.#text = schema;
  }

  /** `true` when the schema was available and declares at least one model. */
  get known(): boolean {
    return this.#parse().size > 0;
  }

  /** The table a model is stored in (`@@map`), or the model's own name. */
  tableOf(model: string): string {
    return this.#parse().get(model)?.table ?? model;
  }

  /** The relation fields declared on `model`. */
  relationsOf(model: string): readonly RelationField[] {
    return this.#parse().get(model)?.relations ?? [];
  }

  /**
   * The relations that can load rows of `child` looked up by `keys` (the fields of the lookup's
   * `where`) together with their parents:
   * - the child holds the key (`comment.postId`): the parent's side of that relation (`Post.comments`);
   * - the parent holds it and the lookup is by what it references (`user.id`): every relation
   *   pointing at the child that way (`Post.author`, `Comment.author`, …). The caller picks one.
   */
  parentsOf(child: string, keys: readonly string[]): ParentRelation[] {
    if (keys.length === 0) return [];
    const found: ParentRelation[] = [];
    for (const relation of this.relationsOf(child)) {
      if (relation.fields.length === 0 || !relation.fields.every((field) => keys.includes(field))) continue;
      const back = this.opposite(relation);
      if (back) found.push({ model: back.owner, relation: back.name, list: back.list });
    }
    if (found.length > 0) return found;
    for (const [owner, info] of this.#parse()) {
      for (const relation of info.relations) {
        if (relation.target !== child || relation.fields.length === 0) continue;
        if (relation.references.length !== keys.length || !relation.references.every((field) => keys.includes(field))) continue;
        found.push({ model: owner, relation: relation.name, list: false });
      }
    }
    return found;
  }

  /** The field on the other side of a relation. */
  opposite(relation: RelationField): RelationField | undefined {
    const candidates = this.relationsOf(relation.target).filter(
      (other) => other !== relation && other.target === relation.owner && other.relationName === relation.relationName,
    );
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  #parse(): Map<string, ModelInfo> {
    if (this.#models) return this.#models;
    this.#models = new Map();
    const text = this.#text;
    this.#text = undefined;
    if (!text) return this.#models;
    const blocks = [...text.matchAll(/^\s*model\s+(\w+)\s*\{([\s\S]*?)^\s*\}/gm)];
    const names = new Set(blocks.map((block) => block[1]!));
    for (const [, name, body = ''] of blocks) {
      let table = name!;
      const relations: RelationField[] = [];
      for (const raw of body.split('\n')) {
        const line = raw.replace(/\/\/.*$/, '').trim();
        const map = /^@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line);
        if (map) table = map[1]!;
        const field = /^(\w+)\s+(\w+)(\[\])?\??\s*(.*)$/.exec(line);
        if (!field || !names.has(field[2]!)) continue;
        const attributes = field[4] ?? '';
        const relation = /@relation\(([^)]*)\)/.exec(attributes)?.[1] ?? '';
        relations.push({
          owner: name!,
          name: field[1]!,
          target: field[2]!,
          list: field[3] === '[]',
          fields: listArgument(relation, 'fields'),
          references: listArgument(relation, 'references'),
          relationName: /^\s*"([^"]+)"/.exec(relation)?.[1] ?? /\bname:\s*"([^"]+)"/.exec(relation)?.[1],
        });
      }
      this.#models.set(name!, { table, relations });
    }
    return this.#models;
  }
}

function listArgument(relation: string, name: string): string[] {
  const list = new RegExp(`\\b${name}:\\s*\\[([^\\]]*)\\]`).exec(relation)?.[1];
  return list ? list.split(',').map((field) => field.trim()).filter(Boolean) : [];
}
