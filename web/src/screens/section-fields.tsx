// Choices a section's fields offer, the same in the editor and in New section.

/** The API's instruction modes, as <option>s in the words schedulers use. */
export function InstructionModeOptions() {
  return (
    <>
      <option value="in_person">In person</option>
      <option value="online">Online</option>
      <option value="hybrid">Hybrid</option>
      <option value="arranged">Arranged</option>
    </>
  );
}
