/**
 * Cairn's permission policy for the Backstage permission framework.
 *
 * @packageDocumentation
 */
export { permissionModuleCairnPolicy as default } from './module';
export { CairnPermissionPolicy } from './policy/CairnPermissionPolicy';
export {
  cairnPolicyRules,
  decide,
  everyoneMayRead,
  opsMayDoEverything,
  ownersMayChangeTheirEntities,
} from './policy/rules';
export type { PolicyContext, PolicyRule, Requester } from './policy/rules';
