-- The `new` state: machines registered over the network wait for an operator's approval.
ALTER TABLE machines DROP CONSTRAINT machines_state_check;
ALTER TABLE machines ADD CONSTRAINT machines_state_check CHECK (state IN ('new', 'available', 'installing', 'in_use', 'recycling', 'broken'));
